// Renders /api/openapi.json with Swagger UI (a file, not inline script: the page's CSP allows no inline code).
(function () {
  var root = document.getElementById("api-reference");
  window.ui = SwaggerUIBundle({url: root.dataset.spec, domNode: root, deepLinking: false});
}());
