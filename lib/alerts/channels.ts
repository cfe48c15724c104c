import { env } from "../env";

/**
 * Where notifications go: the fleet's default rule, from the environment. A webhook gets the incident as
 * signed JSON; a Slack-compatible incoming webhook gets a sentence (`{"text": ...}`).
 */
export interface Channel {
  /** Its name in alert_deliveries: what was sent where is recorded once per incident, event and channel. */
  name: string;
  kind: "webhook" | "slack";
  url: string;
  secret: string | undefined;
}

export function channels(): Channel[] {
  const { ALERT_WEBHOOK_URL, ALERT_WEBHOOK_SECRET, ALERT_SLACK_WEBHOOK_URL } = env();
  const all: Channel[] = [];
  if (ALERT_WEBHOOK_URL) all.push({ name: "webhook:default", kind: "webhook", url: ALERT_WEBHOOK_URL, secret: ALERT_WEBHOOK_SECRET });
  if (ALERT_SLACK_WEBHOOK_URL) all.push({ name: "slack:default", kind: "slack", url: ALERT_SLACK_WEBHOOK_URL, secret: undefined });
  return all;
}

export function channelNamed(name: string): Channel | undefined {
  return channels().find((c) => c.name === name);
}
