import { createTransport, type Transporter } from "nodemailer";
import { env } from "../env";
import { errorMessage, log } from "../log";

/** Each step with the mail server (connecting, its greeting, each answer): three within the delivery job's 30 s. */
const TIMEOUT_MS = 8_000;
let transport: { url: string; mailer: Transporter } | undefined;

/**
 * Sends a plain-text e-mail through SMTP_URL (nodemailer); the failure in words, or null. The words name no server
 * (owners' members read them on the test button); the log has the details.
 */
export async function sendMail(to: readonly string[], subject: string, text: string): Promise<string | null> {
  const { SMTP_URL, SMTP_FROM } = env();
  if (!SMTP_URL) return "SMTP_URL is not set: e-mail cannot be sent";
  if (transport?.url !== SMTP_URL)
    transport = {
      url: SMTP_URL,
      mailer: createTransport({ url: SMTP_URL, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS }),
    };
  try {
    await transport.mailer.sendMail({ from: SMTP_FROM, to: [...to], subject, text });
    return null;
  } catch (e) {
    log().warn({ err: errorMessage(e), to }, "e-mail not sent");
    const code = (e as { responseCode?: number; code?: string }).responseCode ?? (e as { code?: string }).code;
    return `the mail server did not take it${code ? ` (${code})` : ""}`;
  }
}
