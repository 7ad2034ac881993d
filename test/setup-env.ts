/**
 * Every test talks to the emulator on loopback with made-up credentials, which the settings refuse unless
 * told that this is intended (SECURITY.md, "Credentials only over HTTPS"). The tests of that refusal pass
 * their own environment to loadSettings; the examples and the host driver set the opt-in themselves.
 */
process.env.PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS = "true";
