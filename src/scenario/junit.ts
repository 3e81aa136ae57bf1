import type { ScenarioResult } from './scenario-runner.js';

const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** JUnit XML (the subset CI servers read): one testsuite per scenario, one testcase per expectation. */
export function junitXml(results: ScenarioResult[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  for (const r of results) {
    const failures = r.results.filter((x) => !x.passed).length;
    out.push(`  <testsuite name="${esc(r.name)}" tests="${r.results.length}" failures="${failures}" time="${(r.elapsedMs / 1000).toFixed(3)}">`);
    for (const x of r.results) {
      out.push(`    <testcase classname="${esc(r.name)}" name="${esc(x.name)}">${x.passed ? '' : `<failure message="${esc(x.detail)}"/>`}</testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
