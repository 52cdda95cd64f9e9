// PatternFly's clipboard copy: a read-only text box with a button that copies its text
// (static/copy-text.js; without JavaScript the text can still be selected and copied by hand).

function CopyIcon() {
  return (
    <svg class="pf-v6-svg" fill="currentColor" viewBox="0 0 448 512" aria-hidden="true" role="img" width="1em" height="1em">
      <path d="M320 448v40c0 13.255-10.745 24-24 24H24c-13.255 0-24-10.745-24-24V120c0-13.255 10.745-24 24-24h72v296c0 30.879 25.121 56 56 56h168zm0-344V0H152c-13.255 0-24 10.745-24 24v368c0 13.255 10.745 24 24 24h272c13.255 0 24-10.745 24-24V128H344c-13.2 0-24-10.8-24-24zm120.971-31.029L375.029 7.029A24 24 0 0 0 358.059 0H352v96h96v-6.059a24 24 0 0 0-7.029-16.97z" />
    </svg>
  );
}

/** One copyable line; `label` names it for assistive technology ("Pull by tag"). */
export function CopyField({ id, label, text }: { id: string; label: string; text: string }) {
  return (
    <div class="pf-v6-c-clipboard-copy qs-copy-field" data-testid="copy-field">
      <div class="pf-v6-c-clipboard-copy__group">
        <span class="pf-v6-c-form-control pf-m-readonly">
          <input id={id} type="text" readonly value={text} aria-label={label} />
        </span>
        <button class="pf-v6-c-button pf-m-control" type="button" data-copy-from={id} aria-label={`Copy: ${label}`} title="Copy to clipboard">
          <span class="pf-v6-c-button__icon">
            <CopyIcon />
          </span>
        </button>
      </div>
    </div>
  );
}
