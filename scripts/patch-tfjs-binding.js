#!/usr/bin/env node
// Teaches tfjs-node's binding (binding/tfjs_backend.cc) to pass lists of strings and of types as op
// attributes, which TensorFlow's fused ops need (`fused_ops: ["BiasAdd", "Relu"]` and `TArgs` of
// _FusedConv2D and _FusedMatMul; src/tf/native-ops.ts). Stock tfjs-node 4.22 passes single ones only.
// Idempotent: a patched file is left alone. Run by scripts/native-backend.sh before it compiles.
//   usage: node scripts/patch-tfjs-binding.js <path to tfjs-node package>
'use strict';
const fs = require('fs');
const path = require('path');

const MARKER = 'FMNIST_LIST_ATTRS_V1';
const file = path.join(process.argv[2] || 'node_modules/@tensorflow/tfjs-node', 'binding', 'tfjs_backend.cc');
const source = fs.readFileSync(file, 'utf8');
if (source.includes(MARKER)) process.exit(0);

const stock = `    case TF_ATTR_STRING: {
      // NOTE: String attribute values do not have to be utf8 encoded strings
      // (could be arbitrary byte sequences).
      std::string str_value;`;
const patched = `    case TF_ATTR_STRING: {
      // ${MARKER}: an array of strings sets a list(string) attribute.
      if (IsArray(env, nstatus, &js_value)) {
        uint32_t length;
        nstatus = napi_get_array_length(env, js_value, &length);
        ENSURE_NAPI_OK(env, nstatus);
        std::vector<std::string> strings(length);
        std::vector<const void *> values(length);
        std::vector<size_t> lengths(length);
        for (uint32_t i = 0; i < length; ++i) {
          napi_value element;
          nstatus = napi_get_element(env, js_value, i, &element);
          ENSURE_NAPI_OK(env, nstatus);
          nstatus = GetStringParam(env, element, strings[i]);
          ENSURE_NAPI_OK(env, nstatus);
        }
        for (uint32_t i = 0; i < length; ++i) {
          values[i] = strings[i].data();
          lengths[i] = strings[i].size();
        }
        TFE_OpSetAttrStringList(tfe_op, attr_name, values.data(), lengths.data(),
                                static_cast<int>(length));
        break;
      }
      // NOTE: String attribute values do not have to be utf8 encoded strings
      // (could be arbitrary byte sequences).
      std::string str_value;`;
const stockType = `    case TF_ATTR_TYPE: {
      TF_DataType tf_data_type;`;
const patchedType = `    case TF_ATTR_TYPE: {
      // ${MARKER}: an array of type enums sets a list(type) attribute.
      if (IsArray(env, nstatus, &js_value)) {
        uint32_t length;
        nstatus = napi_get_array_length(env, js_value, &length);
        ENSURE_NAPI_OK(env, nstatus);
        std::vector<TF_DataType> types(length);
        for (uint32_t i = 0; i < length; ++i) {
          napi_value element;
          nstatus = napi_get_element(env, js_value, i, &element);
          ENSURE_NAPI_OK(env, nstatus);
          nstatus = napi_get_value_int32(env, element, reinterpret_cast<int32_t *>(&types[i]));
          ENSURE_NAPI_OK(env, nstatus);
        }
        TFE_OpSetAttrTypeList(tfe_op, attr_name, types.data(), static_cast<int>(length));
        break;
      }
      TF_DataType tf_data_type;`;
if (!source.includes(stock) || !source.includes(stockType)) {
  console.error(`[native] ${file} does not have the expected TF_ATTR_STRING case (another tfjs-node version?); fused ops stay unfused`);
  process.exit(1);
}
const out = source.replace(stock, patched).replace(stockType, patchedType).replace('#include <set>', '#include <set>\n#include <vector>');
fs.writeFileSync(file + '.tmp', out);
fs.renameSync(file + '.tmp', file);
console.log(`[native] patched ${path.relative(process.cwd(), file)}: list(string) and list(type) op attributes`);
