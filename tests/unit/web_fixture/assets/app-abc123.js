document.getElementById("root").textContent = "Berth";
