import type { ImageAttachment } from "../../protocol/plaintext.ts";

/**
 * Base64 the images of one message may take in all: the daemon's default message limit is
 * 1 MB of ciphertext (base64 of the JSON), so ~0.7 MB of image leaves room for the rest.
 */
export const MESSAGE_IMAGE_BUDGET = 700_000;
/** The long edge Claude's vision works at best; larger is scaled down by the API anyway. */
const LONG_EDGE = 1568;
/** Tried in turn until the image fits its budget. */
const STEPS = [
  { edge: LONG_EDGE, quality: 0.85 },
  { edge: 1280, quality: 0.8 },
  { edge: 1024, quality: 0.75 },
  { edge: 768, quality: 0.7 },
  { edge: 512, quality: 0.65 },
];

export class ImageNotUsable extends Error {
  override name = "ImageNotUsable";
}

/**
 * A photo from the phone as the agent takes it: decoded, scaled to at most 1568 px on its
 * long edge and re-encoded as JPEG, smaller step by step until its base64 fits `budget`.
 * A phone photo of several MB becomes a few hundred KB.
 */
export async function shrinkImage(file: Blob, budget: number): Promise<ImageAttachment> {
  if (!file.type.startsWith("image/")) throw new ImageNotUsable("this file is not an image");
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ImageNotUsable("this browser cannot read this image");
  }
  try {
    for (const step of STEPS) {
      const data = encode(bitmap, step.edge, step.quality);
      if (data.length <= budget) return { type: "image", source: { type: "base64", media_type: "image/jpeg", data } };
    }
  } finally {
    bitmap.close();
  }
  throw new ImageNotUsable(`too large to send, even scaled down (at most ${(budget / 1_000_000).toFixed(1)} MB)`);
}

function encode(bitmap: ImageBitmap, edge: number, quality: number): string {
  const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  if (!context) throw new ImageNotUsable("this browser cannot draw images");
  // JPEG has no transparency: a transparent screenshot gets white, not black.
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/jpeg", quality).replace(/^data:image\/jpeg;base64,/, "");
}

/** The image as an <img> can show it. */
export const imageUrl = (image: ImageAttachment) => `data:${image.source.media_type};base64,${image.source.data}`;
