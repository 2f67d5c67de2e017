import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** The UI is a single-page app: no server rendering, every unknown path falls back to index.html,
 * and the build goes straight into the Python package, where the api serves it at `/`. */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({
			pages: '../docmill/api/static',
			assets: '../docmill/api/static',
			fallback: 'index.html',
			precompress: false,
			strict: true
		}),
		// A Content-Security-Policy <meta> in index.html; SvelteKit hashes its inline bootstrap script.
		// Images come from the api only (Markdown's remote images become links: no tracking pixels).
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'media-src': ['self', 'blob:'],
				'frame-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
