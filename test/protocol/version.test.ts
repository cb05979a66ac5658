import { describe, expect, test } from "bun:test";
import { APP_MINIMUM_CLI_VERSION } from "../../src/protocol/app-version.ts";
import { VERSION } from "../../src/shared/version.ts";

/** The reference app's compareVersions: numbers part by part, a `-suffix` dropped, missing parts 0. */
function compare(a: string, b: string): number {
  const parts = (v: string) => v.split("-")[0]!.split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

describe("version", () => {
  test("the product's version is one the reference app accepts (at least its MINIMUM_CLI_VERSION)", () => {
    expect(compare(VERSION, APP_MINIMUM_CLI_VERSION)).toBeGreaterThanOrEqual(0);
  });

  test("versions compare by number, as the app compares them, not as text", () => {
    expect(compare("0.1.0", "0.10.0")).toBe(-1);
    expect(compare("0.9.9", "0.10.0")).toBe(-1);
    expect(compare("0.10.0-1", "0.10.0")).toBe(0);
    expect(compare("1.0", "0.10.0")).toBe(1);
  });
});
