/** An owner's short name, in feeds and keys: lower-case letters, digits and dashes, at most 40. */
export const OWNER_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
