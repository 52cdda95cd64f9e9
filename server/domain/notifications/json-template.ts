// A webhook's custom body (Quay's JSONTemplate): a JSON document whose strings may hold `${path}`
// expressions into the event data. A string that is exactly one expression becomes the value found
// (any JSON type, null when nothing is found); expressions inside a longer string are replaced by
// the value's text, a list's items joined with commas, "(none)" when nothing is found. Paths are
// JSONPath's common subset: `$.a.b`, `a.b`, `a[0]`, `a[*].b`, `a.*`.

export class TemplateError extends Error {}

const INLINE = /\$\{([^}]*)\}/g;
const WHOLE = /^\$\{([^}]*)\}$/;

type Step = { key: string } | { index: number } | { all: true };

function parsePath(expression: string): Step[] {
  const text = expression.trim();
  if (!text) throw new TemplateError("Empty expression found");
  const steps: Step[] = [];
  const token = /\.?([A-Za-z_][\w-]*)|\.?\*|\[(\d+|\*)\]|\[['"]([^'"]*)['"]\]/y;
  let at = text.startsWith("$") ? 1 : 0;
  while (at < text.length) {
    token.lastIndex = at;
    const m = token.exec(text);
    if (!m) throw new TemplateError(`For expression \`${expression}\`: unexpected text at ${at}`);
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[3] !== undefined) steps.push({ key: m[3] });
    else if (m[2] !== undefined && m[2] !== "*") steps.push({ index: Number(m[2]) });
    else steps.push({ all: true });
    at = token.lastIndex;
  }
  return steps;
}

/** Every value the path reaches in `data`. */
function find(steps: Step[], data: unknown): unknown[] {
  let found: unknown[] = [data];
  for (const step of steps) {
    found = found.flatMap((value): unknown[] => {
      if (value === null || typeof value !== "object") return [];
      if ("key" in step) return Object.hasOwn(value, step.key) ? [(value as Record<string, unknown>)[step.key]] : [];
      if ("index" in step) return Array.isArray(value) && step.index < value.length ? [value[step.index]] : [];
      return Array.isArray(value) ? value : Object.values(value);
    });
  }
  return found;
}

function evaluate(expression: string, data: unknown): unknown {
  const found = find(parsePath(expression), data);
  if (found.length === 0) return null;
  return found.length > 1 ? found : found[0];
}

const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function fillString(text: string, data: unknown): unknown {
  const whole = WHOLE.exec(text);
  if (whole) return evaluate(whole[1]!, data);
  return text.replace(INLINE, (_, expression: string) => {
    const value = evaluate(expression, data);
    if (value === null) return "(none)";
    return Array.isArray(value) ? value.map(asText).join(",") : asText(value);
  });
}

function fill(node: unknown, data: unknown): unknown {
  if (typeof node === "string") return fillString(node, data);
  if (Array.isArray(node)) return node.map((item) => fill(item, data));
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [asText(fillString(key, data)), fill(value, data)]));
  }
  return node;
}

/** The template filled with `data`; a TemplateError when it is not JSON or an expression cannot be read. */
export function applyTemplate(template: string, data: unknown): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch (err) {
    throw new TemplateError(`Could not parse template: ${err instanceof Error ? err.message : String(err)}`);
  }
  return fill(parsed, data);
}

/** Why a template cannot be used, or null (it is tried against empty data, as Quay validates). */
export function templateProblem(template: string): string | null {
  try {
    applyTemplate(template, {});
    return null;
  } catch (err) {
    if (err instanceof TemplateError) return err.message;
    throw err;
  }
}
