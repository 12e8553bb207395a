/** Hono environment of the admin sub-app: the authenticated admin client id is the `actor`. */
export interface AdminEnv {
  Variables: {
    /** The admin client id (audit actor). */
    actor: string;
  };
}
