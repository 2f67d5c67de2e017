// Markdown to safe HTML: marked renders, raw HTML in the source is shown as text, images other than
// inline data: images become plain labels (no requests to third parties from a document), and
// DOMPurify sanitizes the result (no scripts, event handlers or javascript: links get through).
import DOMPurify, { type DOMPurify as Purifier } from 'dompurify';
import { Marked, type Tokens } from 'marked';

export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

const SAFE_IMAGE = /^data:image\/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]+$/i;
const EXTERNAL_LINK = /^(https?:)?\/\//i;

function configure(purify: Purifier): Purifier {
	purify.addHook('afterSanitizeAttributes', (node) => {
		if (node.tagName === 'A') {
			const href = node.getAttribute('href') ?? '';
			if (EXTERNAL_LINK.test(href)) {
				node.setAttribute('target', '_blank');
				node.setAttribute('rel', 'noopener noreferrer nofollow');
			}
		}
	});
	return purify;
}

export function createMarkdownRenderer(purify: Purifier): (markdown: string) => string {
	configure(purify);
	const marked = new Marked({
		gfm: true,
		// Text from PDFs often has line breaks but no blank lines between paragraphs: keep its lines.
		breaks: true,
		async: false,
		renderer: {
			html(token: Tokens.HTML | Tokens.Tag) {
				return escapeHtml(token.text);
			},
			image(token: Tokens.Image) {
				if (SAFE_IMAGE.test(token.href)) {
					return `<img src="${escapeHtml(token.href)}" alt="${escapeHtml(token.text)}">`;
				}
				const label = token.text.trim() || 'image';
				return `<span class="md-image" title="${escapeHtml(token.href)}">[${escapeHtml(label)}]</span>`;
			}
		}
	});
	return (markdown: string) => {
		const html = marked.parse(markdown, { async: false });
		return purify.sanitize(html, {
			USE_PROFILES: { html: true },
			FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
			FORBID_ATTR: ['style']
		});
	};
}

let shared: ((markdown: string) => string) | null = null;

/** Render with the page's DOMPurify (browser only). */
export function renderMarkdown(markdown: string): string {
	shared ??= createMarkdownRenderer(DOMPurify);
	return shared(markdown);
}
