// The public/private badge next to a repository name.
export function VisibilityLabel({ visibility }: { visibility: "public" | "private" }) {
  const color = visibility === "public" ? "pf-m-green" : "pf-m-orange";
  // The outer span is what a narrow table's grid cell stretches, so the label keeps its own width.
  return (
    <span>
      <span class={`pf-v6-c-label pf-m-outline ${color}`} data-testid="visibility">
        <span class="pf-v6-c-label__content">
          <span class="pf-v6-c-label__text">{visibility}</span>
        </span>
      </span>
    </span>
  );
}
