// A delivery that did not succeed. A permanent one (an address the SSRF rule refuses, no mail
// configured) is counted as a failed event at once; any other is tried again later.
export class DeliveryError extends Error {
  readonly permanent: boolean;
  constructor(message: string, options: { permanent?: boolean } = {}) {
    super(message);
    this.permanent = options.permanent ?? false;
  }
}
