// The UI's language: Korean or English, from the user's choice (remembered per user on the server and
// in this browser), else the browser's languages. Messages are ICU MessageFormat (plurals, numbers,
// selects) from the typed catalogues in en.ts and ko.ts; `t` re-renders whatever reads it on a switch.
import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './en';
import { ko } from './ko';

export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];
export type Values = Record<string, string | number | Date | null | undefined>;
export const LOCALE_KEY = 'docmill.locale';
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ko: '한국어' };

export const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, ko };

export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The first of the browser's languages docmill speaks (ko-KR → ko), else English. */
export function detectLocale(languages: readonly string[] | undefined): Locale {
	for (const tag of languages ?? []) {
		const base = tag.toLowerCase().split(/[-_]/)[0];
		if (isLocale(base)) return base;
	}
	return 'en';
}

function storage(): Storage | null {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null;
	}
}

function initial(): Locale {
	const saved = storage()?.getItem(LOCALE_KEY);
	if (isLocale(saved)) return saved;
	return detectLocale(typeof navigator === 'undefined' ? [] : navigator.languages);
}

const state = $state({ locale: initial() });
const formats = new Map<string, IntlMessageFormat>();

export function locale(): Locale {
	return state.locale;
}

/** Switch the language (and `<html lang>`); `remember` keeps it in this browser. */
export function setLocale(next: Locale, remember = true): void {
	state.locale = next;
	if (remember) {
		try {
			storage()?.setItem(LOCALE_KEY, next);
		} catch {
			// storage can be disabled; the choice then lasts for this page
		}
	}
	syncDocument();
}

/** `<html lang>` follows the language. */
export function syncDocument(): void {
	if (typeof document !== 'undefined') document.documentElement.lang = state.locale;
}

export function hasMessage(key: string): key is MessageKey {
	return Object.prototype.hasOwnProperty.call(en, key);
}

/** The message `key` in the current language, its {arguments} filled in. */
export function t(key: MessageKey, values?: Values): string {
	return translate(state.locale, key, values);
}

export function translate(loc: Locale, key: MessageKey, values?: Values): string {
	const source = CATALOGUES[loc][key] ?? en[key] ?? key;
	const id = `${loc}\u0000${key}`;
	let format = formats.get(id);
	if (!format) {
		format = new IntlMessageFormat(source, loc);
		formats.set(id, format);
	}
	const out = format.format(values as Record<string, string | number | Date>);
	return typeof out === 'string' ? out : String(out);
}
