/* innograph network views: draws every .netview on the page with vis-network.
 * The data comes from a <script type="application/json"> block inside the view,
 * so no data is ever evaluated as code, and labels/tooltips are shown as text. */
(function () {
  "use strict";

  function draw(container) {
    var dataEl = container.querySelector("script.netview-data");
    var canvasEl = container.querySelector(".netview-canvas");
    if (!dataEl || !canvasEl || typeof vis === "undefined") { return; }
    var data = JSON.parse(dataEl.textContent);
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    // Handlers first, data after: stabilisation may finish while the data is being set.
    var network = new vis.Network(canvasEl, {}, data.options);
    var navigate = container.getAttribute("data-navigate") === "true";

    function markStable() {
      network.once("afterDrawing", function () { container.setAttribute("data-stable", "true"); });
      network.redraw();
    }
    network.once("afterDrawing", function () { container.setAttribute("data-drawn", "true"); });
    // Physics only settles the first layout; afterwards the picture stays still while analysts read it.
    network.on("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      markStable();
    });
    // Edge labels appear on hover only: a dense network stays readable.
    network.on("hoverEdge", function (params) {
      edges.update({ id: params.edge, label: data.edgeLabels[params.edge] || "" });
    });
    network.on("blurEdge", function (params) {
      edges.update({ id: params.edge, label: "" });
    });
    network.on("doubleClick", function (params) {
      if (!navigate || !params.nodes.length) { return; }
      var node = nodes.get(params.nodes[0]);
      if (node && node.url && node.url.charAt(0) === "/") { window.location.href = node.url; }
    });
    network.setData({ nodes: nodes, edges: edges });
    if (!data.options.physics || !data.options.physics.enabled) { markStable(); }
    var fit = container.querySelector(".netview-fit");
    if (fit) { fit.addEventListener("click", function () { network.fit({ animation: false }); }); }
    container.visNetwork = network;
  }

  function init() {
    var views = document.querySelectorAll(".netview");
    for (var i = 0; i < views.length; i++) { draw(views[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
