import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

// `npm run dev` proxies the API to a running `docmill api` (DOCMILL_API, default http://127.0.0.1:8000).
const api = process.env.DOCMILL_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
	plugins: [sveltekit()],
	server: {
		proxy: { '/api': api, '/health': api, '/ready': api }
	},
	build: {
		chunkSizeWarningLimit: 300,
		// The adapter's writeBundle (rendering the fallback page) dominates; no need to report plugin timings.
		rolldownOptions: { checks: { pluginTimings: false } }
	},
	test: {
		include: ['src/**/*.test.ts'],
		environment: 'node'
	}
});
