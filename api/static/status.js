// The dashboard's map: the name, contact and state of the municipality under the
// pointer or keyboard focus, shown beside the map (and read out: aria-live).
document.addEventListener("DOMContentLoaded", () => {
  const info = document.getElementById("map-info");
  if (!info) return;
  const show = (event) => { const tile = event.target.closest(".tile"); if (tile) info.textContent = tile.getAttribute("aria-label"); };
  document.querySelectorAll(".tile").forEach((tile) => { tile.addEventListener("focus", show); tile.addEventListener("mouseover", show); });
});
