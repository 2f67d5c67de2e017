import { describe, expect, it } from 'vitest';
import { snippetParts, unescapeHtml } from './snippet';

describe('snippetParts', () => {
	it('splits highlights into parts', () => {
		expect(snippetParts('multi-agent <mark>conversation</mark> framework')).toEqual([
			{ text: 'multi-agent ', mark: false },
			{ text: 'conversation', mark: true },
			{ text: ' framework', mark: false }
		]);
	});

	it('keeps escaped markup as text, never as tags', () => {
		const parts = snippetParts('&lt;script&gt;alert(1)&lt;/script&gt; <mark>a&amp;b</mark> &#39;x&#x27;');
		expect(parts.map((p) => p.text).join('')).toBe("<script>alert(1)</script> a&b 'x'");
		expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['a&b']);
	});

	it('shows stray tags literally', () => {
		expect(snippetParts('<b>bold</b> <MARK>한국어</MARK>')).toEqual([
			{ text: '<b>bold</b> ', mark: false },
			{ text: '한국어', mark: true }
		]);
	});

	it('leaves unknown entities alone', () => {
		expect(unescapeHtml('&nbsp;&bogus;&#0;')).toBe('&nbsp;&bogus;&#0;');
	});
});
