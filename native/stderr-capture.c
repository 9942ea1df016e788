/*
 * Points file descriptor 2 at a file while TensorFlow loads, then back: TensorFlow writes its
 * start-up notices to fd 2 from C++ before any log level applies, so they can only be held back
 * at the descriptor. Node has no dup/dup2; this addon is those two calls (src/tf/native-notices.ts).
 */
#include <node_api.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* begin(path) -> saved descriptor (>= 0), or -1 when nothing was redirected. */
static napi_value Begin(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t len = 0;
  int saved = -1;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 1 &&
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) == napi_ok && len > 0 && len < sizeof path - 1) {
    fflush(stderr);
    saved = dup(2);
    if (saved >= 0) {
      int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0 || dup2(fd, 2) < 0) {
        if (fd >= 0) close(fd);
        close(saved);
        saved = -1;
      } else {
        close(fd);
      }
    }
  }
  napi_create_int32(env, saved, &result);
  return result;
}

/* end(saved) -> true when fd 2 is the original stderr again. */
static napi_value End(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int saved = -1;
  int ok = 0;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 1 && napi_get_value_int32(env, argv[0], &saved) == napi_ok && saved >= 0) {
    fflush(stderr);
    ok = dup2(saved, 2) >= 0;
    close(saved);
  }
  napi_get_boolean(env, ok, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value begin, end;
  napi_create_function(env, "begin", NAPI_AUTO_LENGTH, Begin, NULL, &begin);
  napi_create_function(env, "end", NAPI_AUTO_LENGTH, End, NULL, &end);
  napi_set_named_property(env, exports, "begin", begin);
  napi_set_named_property(env, exports, "end", end);
  return exports;
}
