// The phone menu (navbar toggler): the only Bootstrap behaviour our pages use, without bootstrap.bundle.js.
document.addEventListener("click", (event) => {
  const toggler = event.target.closest("[data-bs-toggle='collapse']");
  if (!toggler) return;
  const target = document.querySelector(toggler.getAttribute("data-bs-target"));
  if (!target) return;
  const open = target.classList.toggle("show");
  toggler.setAttribute("aria-expanded", open ? "true" : "false");
  toggler.classList.toggle("collapsed", !open);
});
