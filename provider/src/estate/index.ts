/** The estate: its file format, the Estate component, and what it declares. */
export { Estate, type EstateArgs } from "./component";
export {
  GLOBAL_ADMINISTRATOR,
  SCHEMA_FILE,
  estateSchema,
  loadEstate,
  loadEstateFile,
  readEstateFile,
  templateDisplayName,
  type EstateFile,
  type EstateCustomer,
  type GdapTemplate,
} from "./format";
export { estateJsonSchema } from "./json-schema";
