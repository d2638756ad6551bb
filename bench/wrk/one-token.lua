-- One valid token on every request, as a static header (no per-request Lua work in wrk).
-- TOKEN_FILE: a file whose first line is the token.
local f = assert(io.open(os.getenv("TOKEN_FILE"), "r"))
local token = f:read("*l")
f:close()
wrk.headers["Authorization"] = "Bearer " .. token
dofile(os.getenv("WRK_DIR") .. "/report.lua")
