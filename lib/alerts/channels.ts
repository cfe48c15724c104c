import { env } from "../env";

/** Where notifications go. For now one: the fleet's default webhook from ALERT_WEBHOOK_URL. */
export interface Channel {
  /** Its name in alert_deliveries: what was sent where is recorded once per incident, event and channel. */
  name: string;
  url: string;
  secret: string | undefined;
}

export const DEFAULT_WEBHOOK = "webhook:default";

export function channels(): Channel[] {
  const { ALERT_WEBHOOK_URL, ALERT_WEBHOOK_SECRET } = env();
  return ALERT_WEBHOOK_URL ? [{ name: DEFAULT_WEBHOOK, url: ALERT_WEBHOOK_URL, secret: ALERT_WEBHOOK_SECRET }] : [];
}

export function channelNamed(name: string): Channel | undefined {
  return channels().find((c) => c.name === name);
}
