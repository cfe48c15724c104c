import { env } from "../env";
import { PASSWORD_LINK_HOURS, type PasswordLinkKind } from "../auth/accounts";
import { passwordLink } from "../auth/password-link";
import type { LinkDelivery } from "../api/views/auth";
import { sendMail } from "../mail/send";

// How a password link reaches its person: by e-mail when the app has a mail server (SMTP_URL), else it is handed
// to whoever asked for it (an admin, an owner's manager), who passes it on. A link is never both: an e-mailed one
// is not shown, so that it stays between the server and the mailbox.

export interface LinkToDeliver {
  email: string;
  token: string;
  kind: PasswordLinkKind;
  /** Who asked for it, as the e-mail names them. */
  inviter: string;
  /** The owner whose stores they will see, for an invitation to an owner's team. */
  ownerName?: string;
}

/** The e-mail's subject and plain text: the product, who sent it, what it is for, and the absolute link. */
export function linkMessage(link: string, to: LinkToDeliver): { subject: string; text: string } {
  const hours = PASSWORD_LINK_HOURS[to.kind];
  const lifetime = `It works once, for ${hours} hour${hours === 1 ? "" : "s"}.`;
  if (to.kind === "reset")
    return {
      subject: "Your new Store Monitor password link",
      text: `${to.inviter} sent you a link to choose a new password for Store Monitor:\n\n${link}\n\n${lifetime}\n`,
    };
  const what = to.ownerName ? `${to.ownerName}'s stores` : "the stores";
  return {
    subject: `${to.inviter} invites you to Store Monitor`,
    text:
      `${to.inviter} invites you to Store Monitor, which tells how long ${what} were up within their business hours.\n\n` +
      `Choose your password here, and you are signed in:\n\n${link}\n\n${lifetime}\n`,
  };
}

/** Sends the link by e-mail when SMTP_URL is set; otherwise, or when the mail server refuses it, answers it to show. */
export async function deliverPasswordLink(request: Request, to: LinkToDeliver): Promise<LinkDelivery> {
  const link = passwordLink(request, to.token);
  if (!env().SMTP_URL) return { by: "link", link, mailError: null };
  const { subject, text } = linkMessage(link, to);
  const mailError = await sendMail([to.email], subject, text);
  return mailError ? { by: "link", link, mailError } : { by: "email", to: to.email };
}

/** The admin pages' answer: the delivery, and the link itself when it is to be handed over (null once e-mailed). */
export async function deliveredLink(request: Request, to: LinkToDeliver): Promise<{ link: string | null; delivery: LinkDelivery }> {
  const delivery = await deliverPasswordLink(request, to);
  return { link: delivery.by === "link" ? delivery.link : null, delivery };
}
