// A repository description written in Markdown, shown as HTML that cannot run anything: raw HTML
// in the text is escaped (html: false), images are off, and links go only to http(s) or mailto
// addresses, opened with rel="nofollow noopener". What is stored stays the author's text.
import { raw } from "hono/html";
import MarkdownIt from "markdown-it";

const SAFE_LINK = /^(https?:|mailto:)/i;

const md = new MarkdownIt("default", { html: false, linkify: false, typographer: false })
  .disable(["image", "table", "strikethrough"]);

// markdown-it already refuses javascript:, vbscript:, file: and data: links; narrow it to the
// schemes a description needs (no relative links either: the page's own address means nothing).
md.validateLink = (url) => SAFE_LINK.test(url.trim());

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx]!.attrSet("rel", "nofollow noopener");
  return self.renderToken(tokens, idx, options);
};

/** The description's HTML (markdown-it escapes every character that could open markup). */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

export function Markdown({ text, testId }: { text: string; testId?: string }) {
  return (
    <div class="pf-v6-c-content qs-markdown" data-testid={testId}>
      {raw(renderMarkdown(text))}
    </div>
  );
}
