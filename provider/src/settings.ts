/** CONTRACT STUB: replaced by the client helper. */
export interface Settings {
  endpoint: string;
  authority: string;
  tenantId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  refreshToken?: string | undefined;
  accessToken?: string | undefined;
  maxRequestsPerMinute?: number | undefined;
  maxConcurrency: number;
}
/** Reads settings: config key (`partnercenter:<key>` or bare `<key>`), else environment variable, else default. Throws ConfigurationError. */
export function loadSettings(
  _config: Readonly<Record<string, string | undefined>>,
  _env: NodeJS.ProcessEnv = process.env,
): Settings {
  throw new Error("stub");
}
