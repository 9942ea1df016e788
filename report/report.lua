-- Project filter for the report (_quarto.yml `filters:`).
-- HTML: loads plotly.js ONCE for the whole site (and the report's two page scripts, below), as an HTML dependency that Quarto copies to
--   site_libs/plotly-<version>/ and links from every page's head; the figures' own outputs carry no
--   library (src/figures/plotly-html.ts). The file comes from node_modules: no CDN.
-- PDF: characters the LaTeX text font lacks (Latin Modern has no U+2248 ≈, for one) are set in math mode;
--   and under every embedded figure and table, a source line naming its notebook, cell and commit
--   (a link to the notebook at that commit when a repository address is known), from
--   `provenance.figures` in _variables.yml (src/report/provenance-variables.ts). The HTML has
--   Quarto's own "Source" links to the notebook pages.

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

-- PDF figure size: the charts are drawn for a screen, and at their natural size (up to the full text
-- width and 5 inches high) the PDF had many pages of figures only. A paper sets them smaller: at most
-- FIGURE_SCALE of their natural size and FIGURE_MAX_HEIGHT high, so text flows between them.
local FIGURE_SCALE = 0.8
local FIGURE_MAX_HEIGHT = 3.0 -- inches

-- A PNG's size in pixels (its IHDR chunk), or nil.
local function png_pixels(file)
  local f = io.open(file, "rb")
  if not f then return nil end
  local data = f:read(24) or ""
  f:close()
  if #data < 24 or data:sub(1, 8) ~= "\137PNG\r\n\26\n" then return nil end
  return string.unpack(">I4I4", data, 17)
end

-- A size attribute in inches: Quarto gives the notebook output's display size in CSS pixels (96 per inch).
local function inches(value)
  if not value then return nil end
  local n, unit = tostring(value):match("^([%d.]+)%s*(%a*)$")
  n = tonumber(n)
  if not n then return nil end
  if unit == "" or unit == "px" then return n / 96 end
  if unit == "in" then return n end
  return nil
end

local function scale_for_paper(img)
  local w, h = inches(img.attributes.width), inches(img.attributes.height)
  if not w or not h then
    local pw, ph = png_pixels(img.src)
    if not pw then return nil end
    if w and not h then h = w * ph / pw
    elseif h and not w then w = h * pw / ph
    elseif not w and not h then w, h = pw / 96, ph / 96 end
  end
  local s = math.min(FIGURE_SCALE, FIGURE_MAX_HEIGHT / h)
  img.attributes.width = string.format("%.2fin", w * s)
  img.attributes.height = string.format("%.2fin", h * s)
  return img
end

-- provenance.figures of _variables.yml: id -> { notebook, commit, dirty, url }.
local function figure_sources()
  local file = io.open(pandoc.path.join({ script_dir(), "..", "_variables.yml" }), "r")
  if not file then return {} end
  local text = file:read("a")
  file:close()
  local meta = pandoc.read("---\n" .. text .. "\n---\n", "markdown").meta
  local out = {}
  local figures = meta.provenance and meta.provenance.figures
  if not figures then return out end
  for id, entry in pairs(figures) do
    out[id] = {}
    for key, value in pairs(entry) do out[id][key] = pandoc.utils.stringify(value) end
  end
  return out
end

-- Embedded cells, by the id of the figure or table they show (our cell labels are those ids).
local embedded = {}
local sources = nil

local function source_line(id)
  sources = sources or figure_sources()
  local s = sources[id]
  if not s then return nil end
  local where = pandoc.Inlines({ pandoc.Code("notebooks/" .. s.notebook .. ".ipynb") })
  if s.url ~= nil and s.url ~= "" then where = pandoc.Inlines({ pandoc.Link(where, s.url) }) end
  local commit = s.commit:match("^%x+$") and s.commit:sub(1, 7) or s.commit
  local line = pandoc.Inlines({ pandoc.Space(), pandoc.Str("Source:"), pandoc.Space() })
  line:extend(where)
  line:extend({ pandoc.Str(","), pandoc.Space(), pandoc.Str("cell"), pandoc.Space(), pandoc.Code(id), pandoc.Str(","), pandoc.Space(), pandoc.Str("commit"), pandoc.Space(), pandoc.Code(commit) })
  if s.dirty == "yes" then line:extend({ pandoc.Space(), pandoc.Str("(with uncommitted changes)") }) end
  line:insert(pandoc.Str("."))
  return line
end

-- The report's own page scripts (classic scripts: they run from file:// too): figures sized to their
-- column (responsive-figures.js) and a table-of-contents button on narrow screens (toc-toggle.js).
local function report_scripts_dependency()
  return { name = "fmnist-report", version = "1.0.0", scripts = { { path = "responsive-figures.js" }, { path = "toc-toggle.js" } } }
end

return {
  {
    Div = function(el)
      if el.classes:includes("quarto-embed-nb-cell") then
        local id = (el.attributes["notebook-cellId"] or ""):gsub("^cell%-", "")
        embedded[id] = true
      end
    end,
  },
  {
    -- Quarto 1.4+ custom node for figures and tables with a caption.
    FloatRefTarget = function(float)
      if not quarto.doc.is_format("latex") or not embedded[float.identifier] then return nil end
      local line = source_line(float.identifier)
      if not line or not float.caption_long then return nil end
      float.caption_long.content:extend(line)
      return float
    end,
  },
  {
    Pandoc = function(doc)
      if quarto.doc.is_format("html:js") then
        quarto.doc.add_html_dependency(plotly_dependency())
        quarto.doc.add_html_dependency(report_scripts_dependency())
      end
      return doc
    end,
    Str = function(str)
      if quarto.doc.is_format("latex") then return split_symbols(str) end
    end,
    Image = function(img)
      if quarto.doc.is_format("latex") then return scale_for_paper(img) end
    end,
  },
}
