// A single-page app: rendered in the browser only, every path served by index.html.
export const ssr = false;
export const prerender = false;
