// fal's named image sizes (its `ImageSize` presets: `image_size: "landscape_4_3"`), in pixels.
// Models differ in how they round an odd size; these are the sizes fal's image models document.
// Read by the cost estimate (pixels of a preset) and the composer's size control (a preset's
// size shown beside its name, and where a custom size starts).
const FAL_IMAGE_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
};

/** A preset's pixels, or undefined for a name fal does not document (never a prototype key). */
export const falImageSize = (name: string): readonly [number, number] | undefined => (Object.hasOwn(FAL_IMAGE_SIZES, name) ? FAL_IMAGE_SIZES[name] : undefined);
