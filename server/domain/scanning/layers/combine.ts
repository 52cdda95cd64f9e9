// Stacks a manifest's layers, lowest first, as a container runtime would: each layer's whiteouts
// delete from the layers below, then its files replace theirs. A package is introduced by the
// first layer from which it stays present to the top: rewriting dpkg's status in a later layer
// keeps the earlier layer for the packages already there, while a new or upgraded one (another
// version) belongs to the layer that brought it.
import { detectDistribution } from "../os-release.ts";
import type { Distribution, FoundPackage } from "../package-types.ts";
import type { LayerContents, LayerFile } from "./read-layer.ts";

export interface LayerPackage extends FoundPackage {
  /** Position of the introducing layer in the manifest's layer list, 0 being the base. */
  layerIndex: number;
  layerDigest: string;
}

export interface FileProblem {
  layerDigest: string;
  path: string;
  problem: string;
}

export interface ImageContents {
  distribution: Distribution | null;
  packages: LayerPackage[];
  /** Files of the final image that could not be read (too large, damaged), so a scan can say so. */
  problems: FileProblem[];
}

interface PlacedFile {
  file: LayerFile;
  layerIndex: number;
}

/** The directories above a path, from the root (""): "a/b/c" → "", "a", "a/b". */
function directoriesAbove(path: string): string[] {
  const parts = path.split("/");
  return parts.map((_, i) => parts.slice(0, i).join("/"));
}

function packageKey(pkg: FoundPackage): string {
  return [pkg.ecosystem, pkg.path, pkg.name, pkg.version].join("\0");
}

/** Whiteouts delete a path and everything under it; an opaque directory only what is under it. */
function applyWhiteouts(view: Map<string, PlacedFile>, layer: LayerContents): void {
  if (layer.removed.length === 0 && layer.opaque.length === 0) return;
  const removed = new Set(layer.removed);
  const opaque = new Set(layer.opaque);
  for (const path of view.keys()) {
    if (removed.has(path) || directoriesAbove(path).some((dir) => removed.has(dir) || opaque.has(dir))) view.delete(path);
  }
}

export function combineLayers(layers: LayerContents[]): ImageContents {
  const view = new Map<string, PlacedFile>();
  /** Package key → the layer from which it has been present without a break. */
  let introducedAt = new Map<string, number>();
  layers.forEach((layer, layerIndex) => {
    applyWhiteouts(view, layer);
    for (const file of layer.files) view.set(file.path, { file, layerIndex });
    const present = new Map<string, number>();
    for (const { file } of view.values()) {
      for (const pkg of file.packages) {
        const key = packageKey(pkg);
        if (!present.has(key)) present.set(key, introducedAt.get(key) ?? layerIndex);
      }
    }
    introducedAt = present;
  });

  const packages = new Map<string, LayerPackage>();
  const problems: FileProblem[] = [];
  for (const { file, layerIndex } of view.values()) {
    if (file.problem) problems.push({ layerDigest: layers[layerIndex]!.digest, path: file.path, problem: file.problem });
    for (const pkg of file.packages) {
      const key = packageKey(pkg);
      const introduced = introducedAt.get(key)!;
      if (!packages.has(key)) packages.set(key, { ...pkg, layerIndex: introduced, layerDigest: layers[introduced]!.digest });
    }
  }
  const distribution = detectDistribution((path) => view.get(path)?.file.releaseText);
  return { distribution, packages: [...packages.values()].sort(byLayerThenPlace), problems };
}

function byLayerThenPlace(a: LayerPackage, b: LayerPackage): number {
  return a.layerIndex - b.layerIndex || compare(a.path, b.path) || compare(a.name, b.name) || compare(a.version, b.version);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
