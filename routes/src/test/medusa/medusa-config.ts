import { loadEnv, defineConfig } from "@medusajs/framework/utils"

// The medusa-starter-default configuration, with every value from the environment that RealMedusa.java sets
// (DATABASE_URL points at the private PostgreSQL cluster it starts) and the admin dashboard disabled, so that
// `medusa start` does not build it with Vite.
loadEnv(process.env.NODE_ENV || "development", process.cwd())

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS || "http://127.0.0.1",
      adminCors: process.env.ADMIN_CORS || "http://127.0.0.1",
      authCors: process.env.AUTH_CORS || "http://127.0.0.1",
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: {
    disable: true,
  },
})
