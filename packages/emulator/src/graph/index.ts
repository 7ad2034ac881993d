/** GDAP: Microsoft Graph's delegated admin relationships: the model (model.ts), the store and its status transitions (lifecycle.ts), its routes (gdap.ts). */
export {
  durationDays,
  graphError,
  isGraphPath,
  type GdapAssignmentState,
  type GdapRelationshipState,
  type GraphRequest,
  type GraphResult,
} from "./model";
export { GraphGdap } from "./gdap";
