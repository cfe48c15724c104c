// The feeds' kinds, apart from their zod shapes (feeds.ts): the browser's upload page uses them, and a zod schema
// built in a browser tries `new Function`, which the pages' Content-Security-Policy refuses and reports.

/** The feeds, in the order uploads and the import log list them. */
export const FEED_KINDS = ["polls", "business_hours", "time_zones", "stores"] as const;
export type FeedKind = (typeof FEED_KINDS)[number];
