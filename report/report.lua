-- Project filter for the report (_quarto.yml `filters:`).
-- HTML: loads plotly.js ONCE for the whole site, as an HTML dependency that Quarto copies to
--   site_libs/plotly-<version>/ and links from every page's head; the figures' own outputs carry no
--   library (src/figures/plotly-html.ts). The file comes from node_modules: no CDN.
-- PDF: characters the LaTeX text font lacks (Latin Modern has no U+2248 ≈, for one) are set in math mode.

local plotly_candidates = {
  "../node_modules/plotly.js-dist-min/plotly.min.js",
  "../node_modules/plotly.js-dist/plotly.js",
}

local function script_dir()
  return pandoc.path.directory(PANDOC_SCRIPT_FILE)
end

local function plotly_dependency()
  for _, rel in ipairs(plotly_candidates) do
    local file = io.open(pandoc.path.join({ script_dir(), rel }), "r")
    if file then
      local head = file:read(300) or ""
      file:close()
      local version = head:match("plotly%.js v(%d+%.%d+%.%d+)") or "0.0.0"
      return { name = "plotly", version = version, scripts = { { path = rel } } }
    end
  end
  error("plotly.js is not installed (node_modules/plotly.js-dist-min): run `npm ci` (or `npm test`, which bootstraps) before rendering the report")
end

-- LaTeX replacements for characters missing from the PDF's text font.
local latex_symbols = {
  ["≈"] = "\\ensuremath{\\approx}",
  ["≥"] = "\\ensuremath{\\geq}",
  ["≤"] = "\\ensuremath{\\leq}",
  ["−"] = "\\ensuremath{-}",
  ["→"] = "\\ensuremath{\\rightarrow}",
}

local function split_symbols(str)
  local text = str.text
  local found = false
  for sym, _ in pairs(latex_symbols) do
    if text:find(sym, 1, true) then found = true break end
  end
  if not found then return nil end
  local out = pandoc.List()
  local buffer = ""
  for _, code in utf8.codes(text) do
    local ch = utf8.char(code)
    local latex = latex_symbols[ch]
    if latex then
      if buffer ~= "" then out:insert(pandoc.Str(buffer)) buffer = "" end
      out:insert(pandoc.RawInline("latex", latex))
    else
      buffer = buffer .. ch
    end
  end
  if buffer ~= "" then out:insert(pandoc.Str(buffer)) end
  return out
end

return {
  {
    Pandoc = function(doc)
      if quarto.doc.is_format("html:js") then
        quarto.doc.add_html_dependency(plotly_dependency())
      end
      return doc
    end,
    Str = function(str)
      if quarto.doc.is_format("latex") then return split_symbols(str) end
    end,
  },
}
