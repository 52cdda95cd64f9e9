// How much storage a namespace's repositories take (unique blob bytes), for its members.
import { humanSize } from "../format.ts";

export function StorageUsed({ bytes }: { bytes: number }) {
  return (
    <p class="qs-muted qs-gap-below" data-testid="namespace-storage">
      Storage used: {humanSize(bytes)}
    </p>
  );
}
