/** A secret given as a value, or as a function returning it (called on every use, so a rotated secret needs no new client). */
export type SecretProvider = string | (() => string | Promise<string>);
