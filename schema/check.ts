// Type-checks webwx.d.ts the way a host uses it (scripts/test runs
// `tsc --strict --noEmit schema/check.ts`): the unions narrow on their tags.
import type { Answer, Command, CommandResult, Contact, ErrorInfo, Event, Request } from "./webwx";

export function describe(e: Event): string {
  switch (e.event) {
    case "message":
      return e.kind.kind === "text" ? e.kind.text : `${e.kind.kind} ${e.new_id}`;
    case "qr_code":
      return e.url;
    case "command":
      if (e.kind === "sent") return e.msg_id;
      if (e.kind === "upload_progress") return `${e.sent}/${e.total}`;
      return e.kind;
    case "logged_out":
      return e.reason.reason;
    case "contacts_loaded":
      return `${e.friends} friends`;
    case "contact":
      return e.change === "removed" ? e.user_name : `${e.user_name} ${e.kind}`;
    case "scanned":
    case "qr_expired":
    case "qr_cancelled":
    case "push_login_sent":
    case "push_login_failed":
    case "resume_failed":
    case "logged_in":
    case "ready":
    case "session_changed":
      return e.event;
    default: {
      const unreachable: never = e;
      return unreachable;
    }
  }
}

export const text: Command = { cmd: "send_text", to: "filehelper", text: "hi" };
export const download: Request = { id: 1, timeout_ms: 500, cmd: "download", msg_id: "1", inline: true };
export const logout: Request = { id: "bye", cmd: "logout" };
// @ts-expect-error a typo is not a command
export const typo: Request = { cmd: "send_text", to: "x", txt: "hi" };

export const groups: Request = { id: "g", cmd: "contacts", kind: "group", members: true };

export function outcome(a: Answer): string {
  if ("result" in a) {
    const r: CommandResult = a.result;
    switch (r.kind) {
      case "sent":
        return r.msg_id;
      case "contacts": {
        const first: Contact | undefined = r.contacts[0];
        return `${r.contacts.length} contacts, first ${first?.nick_name} (${first?.members?.length ?? 0} members)`;
      }
      case "me":
        return `${r.phase} ${r.user_name ?? "-"} ${r.contacts.friends}`;
      default:
        return r.kind;
    }
  }
  const e: ErrorInfo = a.error;
  return `${e.kind}: ${e.message} (${e.candidates?.length ?? 0} candidates)`;
}
