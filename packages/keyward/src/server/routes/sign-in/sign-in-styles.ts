/**
 * The style sheet of the sign-in pages, served at /sign-in/sign-in.css (the pages' CSP allows
 * style from this origin only, and no inline style). System fonts, no images, readable at 200 %
 * zoom, visible focus, enough contrast (WCAG 2.2 AA).
 */
export const SIGN_IN_CSS = `:root { color-scheme: light dark; --fg: #1b1b1f; --bg: #f6f6f8; --card: #fff; --line: #8a8a94; --accent: #1d4ed8; --error: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececf1; --bg: #141418; --card: #1f1f25; --line: #8a8a94; --accent: #8ab4ff; --error: #ffb4ab; } }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 24rem; margin: 10vh auto; padding: 2rem; background: var(--card); border-radius: .5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
input { width: 100%; padding: .6rem; font: inherit; color: inherit; background: transparent; border: 1px solid var(--line); border-radius: .25rem; }
button { margin-top: 1.5rem; width: 100%; padding: .7rem; font: inherit; font-weight: 600; color: #fff; background: #1d4ed8; border: 0; border-radius: .25rem; cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error { margin: 0 0 1rem; padding: .75rem; border-left: 4px solid var(--error); color: var(--error); font-weight: 600; }
a { color: var(--accent); }
`;
