// The scanner's indexing entry point: a manifest's layers, base first, each as a stream of its
// (compressed) bytes, read one after the other in a single pass each, then stacked.
// Callers that keep per-layer results use readLayer and combineLayers directly.
import { combineLayers, type ImageContents } from "./layers/combine.ts";
import { type LayerContents, type LayerInput, readLayer } from "./layers/read-layer.ts";
import type { PackageDetector } from "./package-types.ts";

export async function scanImage(layers: LayerInput[], detectors: PackageDetector[]): Promise<ImageContents> {
  const contents: LayerContents[] = [];
  for (const layer of layers) contents.push(await readLayer(layer, detectors));
  return combineLayers(contents);
}
