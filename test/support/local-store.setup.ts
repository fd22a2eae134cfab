import { defaultMongoUrlToLocal } from '../../libs/stack/src/store-security';

// The local store requires a login (SCRAM): the specs' own connections use the local
// administrator's, unless MONGO_URL names another store. Services get their own logins.
defaultMongoUrlToLocal();
