-- A different token on each request, built in wrk's per-request hook.
--   MODE=rotate    cycle through the first COUNT tokens of TOKEN_FILE (a warm cache: many users)
--   MODE=distinct  never repeat a token: each signed token of TOKEN_FILE is sent in 32 encodings
--                  (the 16 values of the 4 unused bits in the signature's last base64url
--                  character, with and without "==" padding). Each encoding is a different
--                  token string that verifies, so the cache must verify every one in full;
--                  this turns 31 250 RSA signatures into 1 000 000 distinct valid tokens.
--   MODE=none      no Authorization header (same Lua overhead as the modes above)
--   REPEAT         send each token this many times (default 1), one after another
--   OFFSET, LIMIT  start at this token index; stop the thread after LIMIT/threads requests
--   URL_PATH       the path to request
--   WRK_THREADS    the -t given to wrk (to interleave the threads' indices)
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
end

function init(args)
   nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
   mode = os.getenv("MODE") or "rotate"
   path = os.getenv("URL_PATH") or "/api/me"
   offset = tonumber(os.getenv("OFFSET") or "0")
   limit = tonumber(os.getenv("LIMIT") or "0")
   repeats = tonumber(os.getenv("REPEAT") or "1")
   tokens = {}
   if mode ~= "none" then
      local wanted = tonumber(os.getenv("COUNT") or "0")
      for line in io.lines(os.getenv("TOKEN_FILE")) do
         if line ~= "" then
            table.insert(tokens, line)
            if wanted > 0 and #tokens >= wanted then break end
         end
      end
   end
   alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
   index = {}
   for i = 1, 64 do index[alphabet:sub(i, i)] = i - 1 end
   sent = 0
   headers = {}
end

local function variant(token, v)
   local last = token:sub(-1)
   local bits = index[last]
   local base = bits - bits % 16
   local c = base + v % 16
   local pad = ""
   if v >= 16 then pad = "==" end
   return token:sub(1, -2) .. alphabet:sub(c + 1, c + 1) .. pad
end

function request()
   local g = offset + math.floor((sent * nthreads + id) / repeats)
   sent = sent + 1
   if mode == "none" then
      return wrk.format("GET", path)
   end
   local token
   if mode == "distinct" then
      local n = #tokens
      token = variant(tokens[(g % n) + 1], math.floor(g / n) % 32)
   else
      token = tokens[(g % #tokens) + 1]
   end
   headers["Authorization"] = "Bearer " .. token
   return wrk.format("GET", path, headers)
end

-- Only when a LIMIT is set: a response hook costs wrk time on every request.
if tonumber(os.getenv("LIMIT") or "0") > 0 then
   function response(status, headers, body)
      if sent * nthreads >= limit then
         wrk.thread:stop()
      end
   end
end

dofile(os.getenv("WRK_DIR") .. "/report.lua")
