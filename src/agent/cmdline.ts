/**
 * The `ipa-*` parameters of a kernel command line (what Ironic puts there: ipa-api-url,
 * ipa-agent-token, ipa-global-request-id, ...). Quoted values are unquoted; a key given
 * twice keeps its last value, as the kernel does.
 */
export function parseKernelCmdline(cmdline: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const m of cmdline.matchAll(re)) {
    const tok = m[0];
    const eq = tok.indexOf('=');
    const key = eq < 0 ? tok : tok.slice(0, eq);
    const value = eq < 0 ? '' : tok.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    out[key] = value;
  }
  return out;
}

/** `ipa-api-url`, possibly a comma list. */
export function apiUrlsFromCmdline(cmdline: string): string[] {
  const v = parseKernelCmdline(cmdline)['ipa-api-url'];
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
