import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { BUILD_ID, RELEASE_KEY, VERSION } from "../shared/version.ts";
import { keyIdOf } from "./release-signature.ts";

export const NONCE_TEXT = /^[0-9a-f]{32}$/;

/**
 * What `remcli daemon preflight --nonce <n>` prints as its one stdout line, whether or not
 * it could run a daemon here (that is its exit code). An answer is a remcli build
 * answering this challenge, not a program that prints a version line.
 */
export const PreflightAnswer = z
  .object({
    version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/),
    buildId: z.string().regex(/^([0-9a-f]{32}|source)$/),
    /** Key id of the release key this build accepts updates from; null when it has none. */
    releaseKey: z.string().regex(/^[0-9a-f]{16}$/).nullable(),
    proof: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type PreflightAnswer = z.infer<typeof PreflightAnswer>;
export type BuildIdentity = Omit<PreflightAnswer, "proof">;

export const newNonce = (): string => randomBytes(16).toString("hex");

/**
 * An HMAC over the challenge under the build id. Anyone who reads a binary can learn its
 * build id, so this proves liveness and the protocol, not authenticity: that is the
 * signature's or `--sha256`'s job, checked before the file is ever run. What it adds is
 * that the answer is fresh and names the build that answers, which the installer
 * compares with the build the signature names.
 */
export function identityProof(nonce: string, identity: BuildIdentity): string {
  return createHmac("sha256", `remcli build ${identity.buildId}`)
    .update(`remcli preflight v1\n${nonce}\n${identity.version}\n${identity.releaseKey ?? "none"}\n`)
    .digest("hex");
}

/** This build's own answer to `nonce`. */
export function preflightAnswer(nonce: string): PreflightAnswer {
  const identity = { version: VERSION, buildId: BUILD_ID, releaseKey: RELEASE_KEY ? keyIdOf(RELEASE_KEY) : null };
  return { ...identity, proof: identityProof(nonce, identity) };
}
