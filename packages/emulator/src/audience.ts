/** The resources (token audiences) the emulator issues access tokens for, as Entra names them. */

/** Partner Center's resource ("Partner Center authentication", scope `.../user_impersonation`). */
export const PC_RESOURCE = "https://api.partnercenter.microsoft.com";
/** Microsoft Graph's resource: GDAP calls need a token for it ("Microsoft Graph permissions reference"). */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";
