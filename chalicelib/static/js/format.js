/** Dates as the portal shows them: in French, in Europe/Paris (where the ministry sets them). */

const when = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Paris" });
const day = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "Europe/Paris" });

export const formatWhen = (iso) => (iso ? when.format(new Date(iso)) : "");
export const formatDay = (iso) => (iso ? day.format(new Date(iso)) : "");
