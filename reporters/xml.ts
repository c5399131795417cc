/**
 * XML 1.0 text: escapes markup and replaces characters XML cannot carry at all (most C0
 * controls, lone surrogates, U+FFFE/U+FFFF) with a visible \uXXXX, so probe output never
 * makes the document invalid.
 */
export function xmlText(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const attr = (name: string, value: string | number): string => ` ${name}="${xmlText(String(value))}"`;
