export { createRegistryContext, withRequest } from './registry-context.ts';
export type { RegistryContext, RequestFacts } from './registry-context.ts';
export { RegistryError } from './registry-error.ts';
export type { RegistryErrorCode } from './registry-error.ts';
export { createClient, issueClientId } from './create-client.ts';
export type { CreateClientInput } from './create-client.ts';
export { updateClient, setClientState, deleteClient } from './update-client.ts';
export type { ClientUpdate, UpdateOptions } from './update-client.ts';
export { checkWithinRegistrationLimits, effectiveRegistrationLimits, registrationLimitsFor, RESERVED_SCOPE_PREFIX } from './registration-limits.ts';
export { addKeys, listKeys, rotateKey, revokeKey, setKeyValidity } from './manage-keys.ts';
export { getClientOrFail } from './get-client.ts';
export { findKey, importKeyMaterial, toKeyRecords } from './key-records.ts';
export type { KeyMaterial, KeyValidity } from './key-records.ts';
export { createInitialAccessToken, consumeInitialAccessToken, findInitialAccessToken, hashSecret, generateSecret } from './initial-access-tokens.ts';
export { toClientView, toKeyView, toInitialAccessTokenView, toAuditEventView } from './views.ts';
export type { ClientView, KeyView } from './views.ts';
export {
  addKeysInputFromWire, clientUpdateFromWire, createClientInputFromWire, initialAccessTokenInputFromWire, keyValidityFromWire,
  rotateKeyInputFromWire, scopesFromWire,
} from './from-wire.ts';
export type { WireContext } from './from-wire.ts';
export type { AddKeysWire, CreateClientWire, CreateInitialAccessTokenWire, RotateKeyWire, UpdateClientWire } from './wire-schemas.ts';
export { recordChange } from './record-change.ts';
export {
  KNOWN_GRANT_TYPES, DEFAULT_CLIENT_GRANT_TYPES, CHOSEN_CLIENT_ID, checkClientId, checkName, checkGrantTypes, checkScopes,
  checkTtl, checkAudiencePolicy, checkAlgPin, checkKeyMaxAge, checkJwksUriSyntax,
} from './validate-client-fields.ts';
export { createUser, issueSub } from './create-user.ts';
export type { CreateUserInput } from './create-user.ts';
export { updateUser, setUserStatus, deleteUser } from './update-user.ts';
export type { UserUpdate } from './update-user.ts';
export { setUserPassword } from './set-user-password.ts';
export { getUserOrFail } from './get-user.ts';
export { hashPassword, passwordHashNeedsUpgrade, verifyPassword, PASSWORD_HASH_PARAMETERS } from './password-hash.ts';
export { upgradePasswordHash } from './upgrade-password-hash.ts';
export { toUserView } from './user-views.ts';
export type { UserView } from './user-views.ts';
export { USERNAME, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, checkUsername, checkUserDisplayName, checkEmail, checkPassword } from './validate-user-fields.ts';
export { authorizationPolicyOf, checkAuthorizationFields, checkRedirectUri, settleAuthorizationFields } from './authorization-fields.ts';
export type { AuthorizationFieldPolicy, AuthorizationFieldsInput } from './authorization-fields.ts';
export { listConsents, revokeConsent, toConsentView } from './consents.ts';
export { createPasskeyEnrolment, hashEnrolmentToken, passkeyEnrolmentUrl, PASSKEY_ENROLMENT_PATH } from './passkey-enrolment.ts';
