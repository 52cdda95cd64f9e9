// PatternFly tabs as links: one page per tab, the current one marked for assistive technology.

export interface TabLink {
  label: string;
  href: string;
  current: boolean;
}

export function Tabs({ label, tabs }: { label: string; tabs: TabLink[] }) {
  return (
    <nav class="pf-v6-c-tabs qs-gap-below" aria-label={label}>
      <ul class="pf-v6-c-tabs__list" role="list">
        {tabs.map((t) => (
          <li class={`pf-v6-c-tabs__item${t.current ? " pf-m-current" : ""}`}>
            <a class="pf-v6-c-tabs__link" href={t.href} aria-current={t.current ? "page" : undefined}>
              <span class="pf-v6-c-tabs__item-text">{t.label}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
