// Quay's avatar object: a hash of the email (or name) and a colour picked from it, which its UI
// draws as a coloured letter.
import { createHash } from "node:crypto";

export type AvatarKind = "user" | "org" | "team" | "robot" | "app";

export interface Avatar {
  name: string;
  hash: string;
  color: string;
  kind: AvatarKind;
}

/** Quay's AVATAR_COLORS, in order, so the same name gets the same colour as on Quay. */
const COLORS = [
  "#969696", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
  "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
  "#bcbd22", "#1f77b4", "#17becf", "#9edae5", "#393b79", "#5254a3", "#6b6ecf", "#9c9ede",
  "#9ecae1", "#31a354", "#b5cf6b", "#a1d99b", "#8c6d31", "#ad494a", "#e7ba52", "#a55194",
];
/** Hex digits of the hash that pick the colour: enough to index the palette. */
const COLOR_DIGITS = Math.ceil(Math.log(COLORS.length) / Math.log(16));

export function avatar(name: string, emailOrId: string | null, kind: AvatarKind): Avatar {
  const hash = createHash("md5").update((emailOrId || name).trim().toLowerCase()).digest("hex");
  const color = COLORS[Number.parseInt(hash.slice(0, COLOR_DIGITS), 16) % COLORS.length]!;
  return { name, hash, color, kind };
}
