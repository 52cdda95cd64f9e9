// The inline success notice a page shows after a change it redirected back from.
export function Notice({ text, testid }: { text: string; testid: string }) {
  return (
    <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status" data-testid={testid}>
      <p class="pf-v6-c-alert__title">{text}</p>
    </div>
  );
}
