// @vitest-environment jsdom
import DOMPurify from 'dompurify';
import { describe, expect, it } from 'vitest';
import { createMarkdownRenderer, escapeHtml } from './markdown';

const render = createMarkdownRenderer(DOMPurify(window));

function dom(html: string): HTMLElement {
	const div = document.createElement('div');
	div.innerHTML = html;
	return div;
}

describe('markdown rendering', () => {
	it('renders ordinary Markdown', () => {
		const out = dom(render('# 제목\n\nSome **bold** text with `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |'));
		expect(out.querySelector('h1')?.textContent).toBe('제목');
		expect(out.querySelector('strong')?.textContent).toBe('bold');
		expect(out.querySelector('code')?.textContent).toBe('code');
		expect(out.querySelectorAll('td')).toHaveLength(2);
	});

	it('shows raw HTML as text', () => {
		const out = dom(render('Hello <script>alert(1)</script> <img src=x onerror=alert(2)> <b>b</b>'));
		expect(out.querySelector('script, img, b')).toBeNull();
		expect(out.textContent).toContain('<script>alert(1)</script>');
		expect(out.textContent).toContain('<img src=x onerror=alert(2)>');
	});

	it('drops dangerous links and marks external ones', () => {
		const out = dom(render('[x](javascript:alert(1)) [y](https://example.com) [z](#section)'));
		const links = [...out.querySelectorAll('a')];
		expect(links.map((a) => a.getAttribute('href'))).not.toContain('javascript:alert(1)');
		const external = links.find((a) => a.getAttribute('href') === 'https://example.com');
		expect(external?.getAttribute('rel')).toContain('noopener');
		expect(external?.getAttribute('target')).toBe('_blank');
		expect(links.find((a) => a.getAttribute('href') === '#section')?.hasAttribute('target')).toBe(false);
	});

	it('turns remote and relative images into labels, keeps inline ones', () => {
		const pixel = 'data:image/png;base64,iVBORw0KGgo=';
		const out = dom(render(`![tracker](https://evil.example/p.gif) ![figure 1](image1.png) ![inline](${pixel})`));
		const images = [...out.querySelectorAll('img')];
		expect(images.map((i) => i.getAttribute('src'))).toEqual([pixel]);
		expect(out.textContent).toContain('[tracker]');
		expect(out.textContent).toContain('[figure 1]');
	});

	it('leaves no event handler or style attribute anywhere', () => {
		const out = dom(
			render('[a](https://example.com "t\\" onmouseover=\\"alert(1)") <svg onload=alert(1)> <a href="#" style="x">s</a>\n\n<details open ontoggle=alert(1)>')
		);
		const attributes = [...out.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name));
		expect(attributes.filter((name) => name.startsWith('on') || name === 'style')).toEqual([]);
		expect(out.querySelector('svg, details')).toBeNull();
		expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
	});
});
